// esbuild bundles the stylesheet imported by main.ts into client/dist/sender.css.
declare module '*.css';
