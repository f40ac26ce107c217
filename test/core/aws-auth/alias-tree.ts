/**
 * A YAML flow list that expands through aliases to exactly `nodes` values, as a few hundred bytes:
 * five anchored levels (11, 111, 1,111, 11,111 and 111,111 values each), then aliases of them and
 * plain scalars for the rest. For the bound on alias expansion, tested at its edge.
 */
export function aliasTree(nodes: number): string {
  const names = ['a', 'b', 'c', 'd', 'e'];
  const sizes = [11, 111, 1_111, 11_111, 111_111];
  const levels = names.map((name, i) => `&${name} [${Array(10).fill(i === 0 ? 'x' : `*${names[i - 1]}`).join(', ')}]`);
  let rest = nodes - 1 - sizes.reduce((a, b) => a + b, 0);
  if (rest < 0) throw new Error(`an alias tree has at least ${nodes - rest} values`);
  const items = [...levels];
  for (let i = sizes.length - 1; i >= 0; i--) {
    const count = Math.floor(rest / sizes[i]);
    items.push(...Array(count).fill(`*${names[i]}`));
    rest -= count * sizes[i];
  }
  items.push(...Array(rest).fill('s'));
  return `[${items.join(', ')}]`;
}
