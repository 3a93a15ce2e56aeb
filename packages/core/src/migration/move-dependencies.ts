import type { PlannedMove } from '../model/migration.js';

/**
 * For each move of a plan, the earlier moves it must wait for: every earlier move of the same VM, and every
 * earlier move out of the host it goes to (that move frees the room this one may need). Moves are listed in the
 * order they may start, so dependencies always point backwards.
 *
 * @example
 * moveDependencies([{ vm, from: 'h-1', to: 'h-2' }, { vm: other, from: 'h-3', to: 'h-1' }]); // [[], [0]]
 */
export function moveDependencies(moves: readonly PlannedMove[]): number[][] {
  return moves.map((move, index) => {
    const earlier: number[] = [];
    for (let before = 0; before < index; before += 1) {
      const candidate = moves[before]!;
      const sameVm = candidate.vm.provider === move.vm.provider && candidate.vm.id === move.vm.id;
      if (sameVm || candidate.from === move.to) earlier.push(before);
    }
    return earlier;
  });
}
