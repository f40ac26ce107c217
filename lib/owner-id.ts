import { createHash } from 'crypto';

const MAX = 63;

/**
 * The owner ID of a `ClusterAccess`: derived from its stack's name and its construct path, so it
 * is stable across deployments and distinct for every ClusterAccess of an app (two stacks managing
 * one cluster never share one). At most 63 characters of `[a-z0-9.-]`, starting and ending with a
 * letter or digit, so it is also a valid Kubernetes label value; it always ends with a short hash
 * of the full, unsanitized identity, so that sanitizing or truncating never makes two IDs equal.
 */
export function ownerIdFor(stackName: string, constructPath: string): string {
  const full = `${stackName}/${constructPath}`;
  const hash = createHash('sha256').update(full).digest('hex').slice(0, 8);
  const readable = full
    .toLowerCase()
    .replace(/[^a-z0-9.-]+/g, '-')
    .replace(/-{2,}/g, '-')
    .replace(/^[^a-z0-9]+/, '');
  const room = MAX - hash.length - 1;
  const head = readable.slice(0, room).replace(/[^a-z0-9]+$/, '');
  return head ? `${head}-${hash}` : hash;
}
