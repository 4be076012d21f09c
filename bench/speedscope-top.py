#!/usr/bin/env python3
"""Sums a dotnet-trace thread-time profile (speedscope JSON) per frame, leaving out threads that wait.

usage: speedscope-top.py TRACE.speedscope.json [FILTER] [N]
  dotnet-trace collect -p PID --profile dotnet-sampled-thread-time --format Speedscope --duration 00:00:00:15 -o trace.nettrace
Prints the inclusive share of running time of the N heaviest frames whose name contains FILTER, then the heaviest
frames by exclusive time. The sampler sees managed stacks only: native SQLite time shows under the managed caller.
"""
import collections
import json
import sys

WAITING = ('LowLevelLifoSemaphore', 'WaitHandle', 'Monitor.Wait', 'Thread.Sleep', 'SemaphoreSlim.Wait', 'WaitForSignal',
           'WaitForSocketEvents', 'ManualResetEventSlim.Wait', 'GateThread', 'WaitOne', 'Sys.Poll', 'Thread.Join',
           'Monitor.Enter', 'SpinWait')

trace = json.load(open(sys.argv[1]))
key = sys.argv[2] if len(sys.argv) > 2 else ''
top = int(sys.argv[3]) if len(sys.argv) > 3 else 40
frames = [f['name'] for f in trace['shared']['frames']]
inclusive, exclusive = collections.Counter(), collections.Counter()
running = waiting = 0.0
for profile in trace['profiles']:
    stack, last = [], None
    for event in profile['events']:
        at = event['at']
        if last is not None and stack and at > last:
            names = [frames[i] for i in stack]
            if any(w in n for n in names[-8:] for w in WAITING) or 'UNMANAGED_CODE_TIME' in names[-1]:
                waiting += at - last
            else:
                running += at - last
                exclusive[names[-2] if len(names) > 1 else names[-1]] += at - last
                for n in set(names):
                    inclusive[n] += at - last
        last = at
        if event['type'] == 'O':
            stack.append(event['frame'])
        elif stack:
            stack.pop()

print(f'running {running:.0f} ms, waiting {waiting:.0f} ms')
shown = 0
for name, ms in inclusive.most_common():
    if key in name:
        print(f'{100 * ms / running:5.1f}%  {name[:170]}')
        shown += 1
        if shown >= top:
            break
print('--- exclusive')
for name, ms in exclusive.most_common(25):
    print(f'{100 * ms / running:5.1f}%  {name[:170]}')
