export async function generateReport(_o: { only?: string[]; broker?: string; workers?: number; signal?: AbortSignal }): Promise<void> { throw new Error('not yet'); }
