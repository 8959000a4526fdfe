'use strict';
// One round trip of one codec row (argv[2]), for test/stress/valgrind.js.
const { candidates, roundTrip } = require('./matrix');

(async () => {
  const row = candidates().find((r) => r.name === process.argv[2]);
  const r = await roundTrip(row, 4);
  console.log(JSON.stringify(r));
  if (!r.complete) process.exit(1);
})();
