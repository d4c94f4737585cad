/**
 * Whether an input lies inside (or is) the output, comparing key prefixes with one trailing
 * slash, so `a` and `a/` are the same prefix and `ab/` is not inside `a/`. Such a job would
 * read what it writes, and its clean-up would run over its input. The CRD's CEL rule
 * (feature-job-spec.ts) says the same in CEL; the CLI compares parsed locations alike
 * (executor/tasks/plan-job.ts).
 */
export function isInputInsideOutput(
  input: { readonly bucket: string; readonly prefix: string },
  output: { readonly bucket: string; readonly prefix: string },
): boolean {
  return input.bucket === output.bucket && withSlash(input.prefix).startsWith(withSlash(output.prefix));
}

const withSlash = (prefix: string): string => (prefix === '' || prefix.endsWith('/') ? prefix : `${prefix}/`);

/** The CEL of `withSlash(p)` for a field path `p` (the API server evaluates the rule). */
export const celWithSlash = (path: string): string =>
  `(${path} == '' || ${path}.endsWith('/') ? ${path} : ${path} + '/')`;
