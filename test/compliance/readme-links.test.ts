/**
 * The README is the package's page on every registry (npm, PyPI, ...), where docs/ and the rest of
 * the repository are not: every link in it is absolute, or names a file the package ships. A link
 * into this repository (the `repository` of package.json, set by .projenrc.ts) names a file that
 * exists here, on the default branch's path.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const root = join(__dirname, '..', '..');

/** The target of every Markdown link and image in `markdown`, code blocks and code spans left out. */
export function markdownLinks(markdown: string): string[] {
  const prose = markdown.replace(/^```[\s\S]*?^```$/gm, '').replace(/`[^`\n]*`/g, '');
  const inline = [...prose.matchAll(/!?\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)].map((m) => m[1]);
  const references = [...prose.matchAll(/^\s*\[[^\]]+\]:\s*<?(\S+?)>?(?:\s+.*)?$/gm)].map((m) => m[1]);
  return [...inline, ...references];
}

/** The web address of files of this repository's default branch, from package.json's repository. */
function repositoryFileBase(): string {
  const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
  const url = String(manifest.repository?.url ?? manifest.repository).replace(/^git\+/, '').replace(/\.git$/, '');
  return `${url}/blob/main/`;
}

function packedFiles(): string[] {
  const out = execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 512 * 1024 * 1024 });
  const [pack] = JSON.parse(out.slice(out.indexOf('['))) as Array<{ files: Array<{ path: string }> }>;
  return pack.files.map((f) => f.path);
}

/** Why a link of the README would not work on a registry's page (undefined when it works). */
export function brokenLink(link: string, base: string, packed: readonly string[], exists: (file: string) => boolean): string | undefined {
  const target = link.split('#')[0];
  if (link.startsWith('#') || /^mailto:/.test(link)) return undefined;
  if (link.startsWith(base)) {
    const file = decodeURIComponent(target.slice(base.length));
    return exists(file) ? undefined : `${link}: ${file} does not exist in the repository`;
  }
  if (/^[a-z][a-z0-9+.-]*:/i.test(link)) return undefined; // absolute, elsewhere
  const file = decodeURIComponent(target).replace(/^\.\//, '');
  if (!exists(file)) return `${link}: no such file`;
  return packed.includes(file) ? undefined : `${link}: ${file} is not in the package, so the link is dead on the registry; link ${base}${file} instead`;
}

describe('links of the README', () => {
  const base = repositoryFileBase();
  const links = markdownLinks(readFileSync(join(root, 'README.md'), 'utf8'));

  test('there are links, into the repository among them', () => {
    expect(base).toMatch(/^https:\/\/[^/]+\/[^/]+\/[^/]+\/blob\/main\/$/);
    expect(links.filter((l) => l.startsWith(base)).length).toBeGreaterThan(5);
  });

  test('each one works where the package is shown: absolute, or a file the package ships', () => {
    const packed = packedFiles();
    const broken = links.map((l) => brokenLink(l, base, packed, (f) => existsSync(join(root, f)))).filter((b) => b !== undefined);
    expect(broken).toEqual([]);
  });

  test('a relative link to a file the package leaves out, or a dead link, is found', () => {
    const base0 = 'https://example.org/o/r/blob/main/';
    const packed = ['README.md', 'LICENSE'];
    const exists = (f: string) => ['README.md', 'LICENSE', 'docs/cli.md'].includes(f);
    expect(markdownLinks('[a](docs/cli.md) [b](LICENSE) [c](#usage) `[d](x.md)`\n```md\n[e](y.md)\n```\n[f]: ./docs/cli.md\n'))
      .toEqual(['docs/cli.md', 'LICENSE', '#usage', './docs/cli.md']);
    expect(brokenLink('docs/cli.md', base0, packed, exists)).toBe(`docs/cli.md: docs/cli.md is not in the package, so the link is dead on the registry; link ${base0}docs/cli.md instead`);
    expect(brokenLink('LICENSE', base0, packed, exists)).toBeUndefined();
    expect(brokenLink(`${base0}docs/cli.md#verbs`, base0, packed, exists)).toBeUndefined();
    expect(brokenLink(`${base0}docs/gone.md`, base0, packed, exists)).toBe(`${base0}docs/gone.md: docs/gone.md does not exist in the repository`);
    expect(brokenLink('missing.md', base0, packed, exists)).toBe('missing.md: no such file');
  });
});
