// esbuild bundles the stylesheet imported by main.ts into client/dist/dashboard.css.
declare module '*.css';
