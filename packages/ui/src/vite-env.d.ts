// Vite's `?worker` imports: the module, bundled as a Web Worker, and a constructor for it.
declare module '*?worker' {
  const WorkerConstructor: { new (): Worker };
  export default WorkerConstructor;
}
