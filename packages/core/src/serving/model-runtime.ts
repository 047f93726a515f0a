import type { Frame } from './frame.js';

/**
 * A loaded model that scores rows: the one plug-in point of serving, one implementation per
 * format (`onnx`, `cairn-json`, and the unsafe Python formats through a worker process). Frames
 * reach it already checked against the version's signature.
 */
export interface ModelRuntime {
  /** One prediction per row: a number, a string, or a list/object when the model has several outputs. */
  predict(frame: Frame): Promise<unknown[]>;
  /** Frees the model (a session, a worker process). Called once nothing scores with it any more. */
  close(): Promise<void>;
}

/** How runtimes are made: options from `serving.*` that a format may need. */
export interface RuntimeOptions {
  /** Let unsafe formats (pickle and the like) load, in a Python worker. */
  allowUnsafe: boolean;
  /** The Python interpreter for unsafe formats (an executable path or name; run as an argv array). */
  python: string;
  /** A Python request taking longer than this kills and restarts the worker. */
  pythonTimeoutMs: number;
  /** ONNX Runtime threads per session (0: its default). */
  onnxThreads: number;
}
