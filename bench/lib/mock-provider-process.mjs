// The mock provider in a process of its own (for benchmarks): sends its URL to the parent over IPC,
// and runs until the parent kills it or goes away.
import { startMockProvider } from '@auditrail/mock-provider';

const provider = await startMockProvider({ record: false });
process.send?.({ url: provider.url });
process.on('disconnect', () => {
  void provider.close().finally(() => process.exit(0));
});
