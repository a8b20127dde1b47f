// A small app that embeds burn-colorize from its npm tarball, built by each bundler under test
// (bundlers.test.mjs). The tests drive both colorizers through `window.burnColorize`.
import { Colorizer } from 'burn-colorize';
import { WorkerColorizer } from 'burn-colorize/worker';

window.burnColorize = { Colorizer, WorkerColorizer };
document.title = 'ready';
