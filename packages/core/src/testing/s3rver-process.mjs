// Runs s3rver (an S3-compatible server for tests) in its own process: `node --openssl-legacy-provider
// s3rver-process.mjs <folder> <bucket>`. s3rver encrypts listing continuation tokens with DES, which
// Node 17+ offers only through OpenSSL's legacy provider, so it cannot run inside a test process.
// Prints {"port":N} once listening; exits when its parent closes stdin or sends SIGTERM.
import { createHash, randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, rename } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import S3rver from 's3rver';

// s3rver writes an object in place, so concurrent PUTs of one key interleave and a reader can see
// half an object. S3 never shows either (a PUT replaces the object whole), and Cairn's contract
// suite checks that, so each key's writes and opens are serialized and content lands by rename.
const FilesystemStore = createRequire(import.meta.url)('s3rver/lib/stores/filesystem.js');
const locks = new Map();
function locked(bucket, key, run) {
  const id = `${bucket}/${key}`;
  const next = (locks.get(id) ?? Promise.resolve()).then(run, run);
  const tail = next.catch(() => undefined);
  locks.set(id, tail);
  void tail.then(() => locks.get(id) === tail && locks.delete(id));
  return next;
}
const { getObject } = FilesystemStore.prototype;
FilesystemStore.prototype.putObject = function (object) {
  return locked(object.bucket, object.key, async () => {
    const real = this.getResourcePath(object.bucket, object.key, 'object');
    const temp = `${real}.${randomBytes(6).toString('hex')}.tmp`;
    await mkdir(dirname(real), { recursive: true });
    const md5 = createHash('md5');
    let size = 0;
    const count = new Transform({
      transform(chunk, _encoding, done) {
        md5.update(chunk);
        size += chunk.length;
        done(null, chunk);
      },
    });
    await pipeline(Buffer.isBuffer(object.content) ? Readable.from([object.content]) : object.content, count, createWriteStream(temp));
    await rename(temp, real);
    const digest = md5.digest('hex');
    await this.putMetadata(object.bucket, object.key, object.metadata, digest);
    return { size, md5: digest };
  });
};
FilesystemStore.prototype.getObject = function (bucket, key, options) {
  return locked(bucket, key, () => getObject.call(this, bucket, key, options));
};

const [directory, bucket] = process.argv.slice(2);
const server = new S3rver({ address: '127.0.0.1', port: 0, silent: true, directory, configureBuckets: [{ name: bucket, configs: [] }] });
const { port } = await server.run();
process.stdout.write(`${JSON.stringify({ port })}\n`);
const stop = () => server.close().finally(() => process.exit(0));
process.on('SIGTERM', stop);
process.stdin.on('end', stop);
process.stdin.resume();
