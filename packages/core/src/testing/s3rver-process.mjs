// Runs s3rver (an S3-compatible server for tests) in its own process: `node --openssl-legacy-provider
// s3rver-process.mjs <folder> <bucket>`. s3rver encrypts listing continuation tokens with DES, which
// Node 17+ offers only through OpenSSL's legacy provider, so it cannot run inside a test process.
// Prints {"port":N} once listening; exits when its parent closes stdin or sends SIGTERM.
import S3rver from 's3rver';

const [directory, bucket] = process.argv.slice(2);
const server = new S3rver({ address: '127.0.0.1', port: 0, silent: true, directory, configureBuckets: [{ name: bucket, configs: [] }] });
const { port } = await server.run();
process.stdout.write(`${JSON.stringify({ port })}\n`);
const stop = () => server.close().finally(() => process.exit(0));
process.on('SIGTERM', stop);
process.stdin.on('end', stop);
process.stdin.resume();
