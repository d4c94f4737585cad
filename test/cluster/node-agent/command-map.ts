/**
 * A commandMap from a table of replacements for a command's first word: `{ "featurejob":
 * ["/usr/bin/node", "/repo/dist/executor/cli/featurejob.js"] }` runs `featurejob executor
 * --x` as `/usr/bin/node /repo/dist/executor/cli/featurejob.js executor --x`. Commands whose
 * first word is not in the table run as written.
 */
export function buildPrefixCommandMap(
  table: Readonly<Record<string, readonly string[]>>,
): (command: readonly string[]) => string[] {
  return (command) => {
    const [first, ...rest] = command;
    const replacement = first === undefined ? undefined : table[first];
    return replacement === undefined ? [...command] : [...replacement, ...rest];
  };
}
