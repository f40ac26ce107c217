import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** The text of a fixture under test/core/fixtures. */
export function fixture(name: string): string {
  return readFileSync(join(__dirname, '..', 'fixtures', name), 'utf8');
}

export const NODE_ROLE = 'arn:aws:iam::444455556666:role/prod-nodes-NodeInstanceRole-1A2B3C4D5E6F';
export const ADMIN_USER = 'arn:aws:iam::444455556666:user/ops-admin';
