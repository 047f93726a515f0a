import pkg from '../package.json' with { type: 'json' };

/** The server package's version, reported by `GET /health`. */
export const VERSION: string = pkg.version;
