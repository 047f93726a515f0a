import type { FastifyInstance, FastifyRequest } from 'fastify';
import secureJson from 'secure-json-parse';

/**
 * Deepest nesting of arrays and objects a JSON request body may have (protobuf's JSON parser, which
 * MLflow's server uses, stops at 100 too). Checked on the text before it is parsed: a 16 MB body of
 * `[` takes seconds and hundreds of MB to parse, and deep values overflow recursive code later on.
 */
export const MAX_JSON_DEPTH = 100;

/** Whether JSON text nests arrays and objects deeper than `max`; stops reading as soon as it does. */
export function jsonNestsDeeperThan(text: string, max = MAX_JSON_DEPTH): boolean {
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22) {
      // Jump to the quote that ends the string: one preceded by an even number of backslashes.
      for (;;) {
        i = text.indexOf('"', i + 1);
        if (i < 0) return false;
        let slash = i - 1;
        while (text.charCodeAt(slash) === 0x5c) slash--;
        if ((i - 1 - slash) % 2 === 0) break;
      }
    } else if (c === 0x5b || c === 0x7b) {
      if (++depth > max) return true;
    } else if (c === 0x5d || c === 0x7d) {
      depth--;
    }
  }
  return false;
}

export interface JsonBodyOptions {
  /** The body an empty request body reads as: `undefined` (no body) or `{}` (MLflow's servers). */
  empty: undefined | Record<string, never>;
  /** Decode a body that is a JSON string holding JSON a second time, as MLflow's server does for old clients. */
  decodeStringBody?: boolean;
  bodyLimit?: number;
  /** Called with the body's text before it is parsed (the MLflow routes quote values exactly as sent). */
  onText?: (request: FastifyRequest, text: string) => void;
}

/**
 * Makes `application/json` the only body type of `app`'s scope (text/plain would otherwise arrive
 * as a string), parsed with prototype-poisoning protection after its nesting is checked. A refused
 * body fails as Fastify's own parsers do, with a 400 `statusCode`, so each route family's error
 * handler answers it in its own vocabulary (`INVALID_ARGUMENT`; MLflow's `BAD_REQUEST`).
 */
export function useJsonBodies(app: FastifyInstance, options: JsonBodyOptions): void {
  app.removeContentTypeParser(['application/json', 'text/plain']);
  const limit = options.bodyLimit === undefined ? {} : { bodyLimit: options.bodyLimit };
  app.addContentTypeParser('application/json', { parseAs: 'string', ...limit }, (request, body, done) => {
    try {
      const text = typeof body === 'string' ? body : body.toString('utf8');
      if (text.trim() === '') return done(null, options.empty);
      options.onText?.(request, text);
      const value = parseJson(text);
      done(null, options.decodeStringBody && typeof value === 'string' ? parseJson(value) : value);
    } catch (e) {
      done(e as Error, undefined);
    }
  });
}

/** A refused request body, shaped like Fastify's body errors (`statusCode` 400 and a `code`). */
export class JsonBodyError extends Error {
  readonly statusCode = 400;
  readonly code = 'CAIRN_INVALID_JSON_BODY';
}

function parseJson(text: string): unknown {
  if (jsonNestsDeeperThan(text)) {
    throw new JsonBodyError(`The request body nests arrays and objects more than ${MAX_JSON_DEPTH} levels deep, the limit. Send a flatter body.`);
  }
  try {
    return secureJson.parse(text, undefined, { protoAction: 'error', constructorAction: 'error' });
  } catch (e) {
    const message = (e as Error).message;
    if (/forbidden prototype property/.test(message)) {
      throw new JsonBodyError(`The request body has a '__proto__' key, or a 'constructor' key holding 'prototype', which Cairn refuses. Rename the key.`, { cause: e });
    }
    throw new JsonBodyError(`The request body is not valid JSON: ${message}.`, { cause: e });
  }
}
