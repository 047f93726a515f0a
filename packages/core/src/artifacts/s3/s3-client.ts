import { S3Client } from '@aws-sdk/client-s3';

/** The `artifact.s3` settings a client is built from (see docs/configuration.md). */
export interface S3ClientSettings {
  endpoint: string;
  region: string;
  force_path_style: boolean;
  max_attempts: number;
}

/** Connecting must succeed within this, or the attempt fails (and is retried): a dead endpoint is reported in seconds. */
const CONNECT_TIMEOUT_MS = 5_000;
/** A request whose socket stays silent this long is failed (and retried); a download no one reads for this long is dropped. */
const SOCKET_TIMEOUT_MS = 120_000;
/** Connections per process: each download a server streams to a client holds one, so the SDK's 50 is low for a busy server. */
const MAX_SOCKETS = 256;

/** The region to use: the setting, else the AWS variables, else us-east-1 for S3-compatible servers (they ignore it). */
function regionOf(settings: S3ClientSettings, env: NodeJS.ProcessEnv): string | undefined {
  const region = settings.region || env.AWS_REGION || env.AWS_DEFAULT_REGION;
  if (region) return region;
  return settings.endpoint ? 'us-east-1' : undefined; // undefined: the SDK reads the profile's region
}

/**
 * An S3 client for the artifact store. Credentials come from the SDK's standard chain (environment,
 * shared config and SSO profiles, web identity, container and instance roles). Retries follow the
 * SDK's standard strategy (exponential backoff with jitter; throttling such as 503 SlowDown, 5xx and
 * connection errors are retried) up to `max_attempts`. Checksums are sent only where S3 requires
 * them: Cairn hashes every upload itself (sha256), and several S3-compatible servers reject the
 * SDK's default trailing checksums. `options.credentials` replaces the chain (tests only).
 */
export function createS3Client(settings: S3ClientSettings, options: { credentials?: { accessKeyId: string; secretAccessKey: string }; env?: NodeJS.ProcessEnv } = {}): S3Client {
  const env = options.env ?? process.env;
  // Cairn supports Node 20; the SDK's notice about its own future Node support is noise for Cairn's users.
  env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  return new S3Client({
    region: regionOf(settings, env),
    credentials: options.credentials,
    endpoint: settings.endpoint || undefined,
    forcePathStyle: settings.force_path_style,
    maxAttempts: settings.max_attempts,
    retryMode: 'standard',
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    requestHandler: {
      connectionTimeout: CONNECT_TIMEOUT_MS, requestTimeout: SOCKET_TIMEOUT_MS,
      httpAgent: { keepAlive: true, maxSockets: MAX_SOCKETS }, httpsAgent: { keepAlive: true, maxSockets: MAX_SOCKETS },
    },
  });
}
