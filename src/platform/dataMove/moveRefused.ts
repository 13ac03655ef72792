/** A move that would do harm or cannot work as asked (the target holds data, it is the source): the message says why. */
export class MoveRefused extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MoveRefused';
  }
}
