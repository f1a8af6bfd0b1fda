/**
 * A gate a fake can wait at, so a test decides exactly when an async step finishes: `hold()` closes it and
 * returns the function that opens it again; `passed()` resolves at once while the gate is open.
 */
export function createGate() {
  let closed: Promise<void> | undefined;
  return {
    passed: (): Promise<void> | undefined => closed,
    hold(): () => void {
      let open!: () => void;
      closed = new Promise((resolve) => {
        open = resolve;
      });
      return () => {
        closed = undefined;
        open();
      };
    },
  };
}
