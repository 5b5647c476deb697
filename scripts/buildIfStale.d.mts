/** The repository's root folder. */
export declare const ROOT: string;
/** dist/main/main.js: what `npm start` runs. */
export declare const SERVER_MAIN: string;
/** Why dist/ under `root` (default: this repository) must be built, or undefined when it is up to date. */
export declare const staleReason: (root?: string) => string | undefined;
/** Runs `npm run build` when stale (true when it did); exits the process when the build fails. */
export declare const buildIfStale: () => boolean;
