import { markOwner } from '../../src/backends/common/owner.ts';

// Every test process marks itself as the owner of the VMMs it starts, as the CLI does: a VMM
// left running by a test process that was killed (a timeout, Ctrl-C) is then an orphan that
// `hvbench clean` finds and stops, not an unmarked process it must leave alone.
markOwner();
