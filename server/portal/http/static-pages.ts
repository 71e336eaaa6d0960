/**
 * The browser pages, when they have been written and built: client/dist (esbuild output) at /dist/, the
 * sender page (client/sender/) at /s/, the dashboard (client/dashboard/) at /app/. Only page assets are
 * served (html, css, images), never the TypeScript sources next to them. All answers carry the strict CSP.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import express, { Router, type RequestHandler } from 'express';

// In the CLI bundle too: scripts/build-cli.mjs turns import.meta.url back into this source file's location.
export const CLIENT_DIR = fileURLToPath(new URL('../../../client/', import.meta.url));
const PAGE_ASSET = /^[A-Za-z0-9_-][A-Za-z0-9_.-]*\.(html|css|svg|png|ico|webmanifest)$/;

function page(dir: string): RequestHandler {
  return (req, res, next) => {
    if (req.path === '' || req.originalUrl.split('?')[0] === req.baseUrl) return res.redirect(301, `${req.baseUrl}/`);
    const name = req.path === '/' ? 'index.html' : req.path.slice(1);
    if (!PAGE_ASSET.test(name) || !existsSync(path.join(dir, name))) return next();
    res.sendFile(name, { root: dir, dotfiles: 'deny', headers: { 'Cache-Control': 'no-cache' } }, (error) => {
      if (error && !res.headersSent) next();
    });
  };
}

export function staticPages(clientDir: string = CLIENT_DIR): Router {
  const router = Router();
  router.use('/dist', express.static(path.join(clientDir, 'dist'), { dotfiles: 'deny', index: false, fallthrough: true }));
  router.use('/s', page(path.join(clientDir, 'sender')));
  router.use('/app', page(path.join(clientDir, 'dashboard')));
  router.get('/', (_req, res, next) => (existsSync(path.join(clientDir, 'dashboard', 'index.html')) ? res.redirect(302, '/app/') : next()));
  return router;
}
