/** The types of build.mjs, for test/global-setup.ts. */
export function buildPackage(root?: string, out?: string): Promise<number>;
