#!/usr/bin/env node
// Launcher committed in the repository, so that package managers can link the `auditrail` bin
// before the TypeScript build has produced dist/.
import '../dist/bin.js';
