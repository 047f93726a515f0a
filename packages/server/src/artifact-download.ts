import { isCairnError, type ArtifactDownload, type ByteRange } from '@cairn/core';
import type { FastifyReply, FastifyRequest } from 'fastify';

/**
 * The one byte range a `Range` header asks for (`bytes=a-b` or `bytes=a-`), or undefined to send
 * the whole file. Suffix ranges (`bytes=-n`), several ranges and other units are ignored, which
 * RFC 9110 allows: the client then gets the whole file with 200.
 */
export function requestedRange(request: FastifyRequest): ByteRange | undefined {
  const header = request.headers.range;
  const m = typeof header === 'string' ? /^bytes=(\d{1,15})-(\d{0,15})$/.exec(header.trim()) : null;
  if (!m) return undefined;
  const start = Number(m[1]);
  const end = m[2] ? Number(m[2]) : undefined;
  return end === undefined || end >= start ? { start, end } : undefined;
}

/**
 * Opens an artifact (the requested range of it, if any) and sends it: 200 with the whole file, or
 * 206 with `Content-Range`; a range starting past the end is 416. Served as an attachment that
 * browsers must not sniff, so an uploaded HTML file never runs on this origin.
 */
export async function sendArtifact(
  request: FastifyRequest, reply: FastifyReply, disposition: string, open: (range: ByteRange | undefined) => Promise<ArtifactDownload>,
  contentType = 'application/octet-stream',
): Promise<FastifyReply> {
  const range = requestedRange(request);
  let download: ArtifactDownload;
  try {
    download = await open(range);
  } catch (e) {
    if (!range || !isCairnError(e, 'INVALID_ARGUMENT') || e.details?.field !== 'range') throw e;
    return reply.code(416).header('content-range', `bytes */${String(e.details.size ?? '*')}`).send({ error_code: 'INVALID_ARGUMENT', message: e.message });
  }
  reply
    .header('content-type', contentType)
    .header('content-length', download.size)
    .header('accept-ranges', 'bytes')
    .header('content-disposition', disposition)
    .header('x-content-type-options', 'nosniff');
  if (range) reply.code(206).header('content-range', `bytes ${range.start}-${range.start + download.size - 1}/${download.totalSize}`);
  return reply.send(download.stream);
}
