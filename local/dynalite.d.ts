declare module 'dynalite' {
  import type { Server } from 'node:http';

  interface DynaliteOptions {
    readonly createTableMs?: number;
    readonly deleteTableMs?: number;
    readonly updateTableMs?: number;
    readonly maxItemSizeKb?: number;
    readonly path?: string;
  }

  /** An http.Server speaking the DynamoDB JSON protocol; not yet listening. */
  export default function dynalite(options?: DynaliteOptions): Server;
}
