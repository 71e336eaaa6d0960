/** Types of use-bundle.mjs (plain JavaScript, so bin.js can call it before tsx is loaded). */
export function useBundle(entry: string, trees: readonly string[], files: readonly string[]): boolean;
export const BUNDLE_DIR: string;
export const BUNDLE_ENTRY: string;
export const BUNDLE_TREES: readonly string[];
export const BUNDLE_FILES: readonly string[];
