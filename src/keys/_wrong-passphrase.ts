/** Owns: the one error that tells "the passphrase typed does not open this key" apart from a damaged file. */
export class WrongPassphraseError extends Error {
  constructor() {
    super("wrong passphrase");
    this.name = "WrongPassphraseError";
  }
}
