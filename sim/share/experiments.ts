// Placeholder replaced below.
export async function runExperiments(_o: { quick: boolean }): Promise<void> { throw new Error('not yet'); }
