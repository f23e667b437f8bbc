import type { Metafile } from "esbuild";

/** Where the build writes its metafile, relative to the project root. */
export declare const METAFILE: string;
/** The build's esbuild metafile (dist/meta.json) under `root` (default: the working directory). */
export declare function readMetafile(root?: string): Metafile;
/** The output files `entry` loads, itself first; `lazy: false` follows static imports only. */
export declare function closure(metafile: Pick<Metafile, "outputs">, entry: string, options?: { lazy?: boolean }): string[];
