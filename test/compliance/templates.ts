/** Synthesizes the compliance apps to disk and lists their CloudFormation templates. */
import * as fs from 'fs';
import * as path from 'path';
import { complianceApps } from './example-apps';

export interface SynthesizedTemplate {
  /** App name, e.g. `new-cluster`. */
  readonly app: string;
  /** Path of the template file. */
  readonly file: string;
  /** Whether it is a nested stack's template. */
  readonly nested: boolean;
}

/** Synthesizes every compliance app under `outRoot` (emptied first) and returns all templates. */
export function synthesizeTemplates(outRoot: string): SynthesizedTemplate[] {
  fs.rmSync(outRoot, { recursive: true, force: true });
  const templates: SynthesizedTemplate[] = [];
  for (const a of complianceApps((name) => path.join(outRoot, name))) {
    const dir = a.app.synth().directory;
    for (const f of fs.readdirSync(dir).filter((x) => x.endsWith('.template.json')).sort()) {
      templates.push({ app: a.name, file: path.join(dir, f), nested: f.endsWith('.nested.template.json') });
    }
  }
  return templates;
}
