/**
 * Rules as a person reads them: verbs × resources, one line per verb set, resources as
 * `resource.group` (core resources bare), long lists cut with a count.
 */
import { PolicyRule } from './rbac';

const READ = 'get,list,watch';
const WRITE = 'create,delete,deletecollection,patch,update';

/** One line per distinct verb set: `get,list,watch: pods, deployments.apps, … (+12 more)`. */
export function summarizeRules(rules: readonly PolicyRule[], maxResources = 8): string[] {
  const byVerbs = new Map<string, string[]>();
  const add = (verbs: string, what: string) => {
    const list = byVerbs.get(verbs) ?? [];
    if (!list.includes(what)) {
      list.push(what);
    }
    byVerbs.set(verbs, list);
  };
  for (const rule of rules) {
    const verbs = describeVerbs(rule.verbs);
    if (rule.nonResourceURLs && rule.nonResourceURLs.length > 0) {
      rule.nonResourceURLs.forEach((url) => add(verbs, url === '*' ? 'every non-resource URL' : url));
      continue;
    }
    for (const group of rule.apiGroups ?? []) {
      for (const resource of rule.resources ?? []) {
        const named = rule.resourceNames && rule.resourceNames.length > 0 ? ` (named ${rule.resourceNames.join(', ')})` : '';
        add(verbs, `${describeResource(resource, group)}${named}`);
      }
    }
  }
  return [...byVerbs.entries()].map(([verbs, unsorted]) => {
    // Core resources (no API group) first, then by group, each alphabetically.
    const groupOf = (w: string) => (/^[^ ]+\.([^ /]+)/.exec(w)?.[1] ?? '');
    const what = [...unsorted].sort((a, b) => groupOf(a).localeCompare(groupOf(b)) || a.localeCompare(b));
    const shown = what.slice(0, maxResources).join(', ');
    return `${verbs}: ${shown}${what.length > maxResources ? `, … (+${what.length - maxResources} more)` : ''}`;
  });
}

/** `*` as "every verb"; the usual read and write sets kept in their usual order. */
function describeVerbs(verbs: readonly string[]): string {
  if (verbs.includes('*')) {
    return 'every verb';
  }
  const sorted = [...new Set(verbs)].sort().join(',');
  if (sorted === [...READ.split(','), ...WRITE.split(',')].sort().join(',')) {
    return 'read and write';
  }
  return sorted;
}

function describeResource(resource: string, group: string): string {
  if (resource === '*' && group === '*') {
    return 'every resource';
  }
  const name = resource === '*' ? 'every resource' : resource;
  if (group === '') {
    return name;
  }
  if (group === '*') {
    return `${name} (every API group)`;
  }
  if (resource === '*') {
    return `${name} of ${group}`;
  }
  const [base, ...sub] = resource.split('/');
  return `${base}.${group}${sub.length > 0 ? `/${sub.join('/')}` : ''}`;
}
