// The rule pages in docs/rules/: their examples, for the tests that check each page's examples do
// what the page says (test/unit/docs.test.ts, test/unit/general.test.ts, test/nginx/general-nginx.test.ts).

/** The first fenced nginx block of the section under `## <heading>`. */
export function exampleUnder(page: string, heading: string): string | undefined {
  const section = page.split(/^## /m).find((part) => part.startsWith(`${heading}\n`));
  return section ? /^```nginx\n([\s\S]*?)^```$/m.exec(section)?.[1] : undefined;
}
