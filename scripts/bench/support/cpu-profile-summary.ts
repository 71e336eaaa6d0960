// Reads a V8 .cpuprofile (node --cpu-prof) and returns where the CPU went: busy seconds (every sample that is not
// "(idle)") and the functions with the most self time. For finding the next thing to make cheaper, not for ratios.
import { readFileSync } from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
}

interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

export interface ProfileSummary {
  busySeconds: number;
  top: Array<{ seconds: number; where: string }>;
}

export function summariseCpuProfile(file: string, count = 15): ProfileSummary {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const nodes = new Map(profile.nodes.map((node) => [node.id, node]));
  const self = new Map<string, number>();
  let busy = 0;
  profile.samples.forEach((id, index) => {
    const micros = profile.timeDeltas[index] ?? 0;
    const frame = nodes.get(id)!.callFrame;
    if (frame.functionName === '(idle)') return;
    busy += micros;
    const where = `${frame.functionName || '(anonymous)'} ${frame.url.replace(/^.*node_modules\//, '').replace(/^file:\/\/.*?\/(server|shared|client)\//, '$1/')}:${frame.lineNumber + 1}`;
    self.set(where, (self.get(where) ?? 0) + micros);
  });
  const top = [...self].sort((x, y) => y[1] - x[1]).slice(0, count).map(([where, micros]) => ({ seconds: micros / 1e6, where }));
  return { busySeconds: busy / 1e6, top };
}
