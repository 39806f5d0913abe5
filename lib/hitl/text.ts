// Wording shared by the config schema's messages and the rule viewer's descriptions.

/** "a", "a or b", "a, b or c". */
export function orList(values: readonly (string | number)[]): string {
  if (values.length <= 1) return values.map(String).join("");
  return `${values.slice(0, -1).join(", ")} or ${values.at(-1)}`;
}
