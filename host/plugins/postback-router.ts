import { injectable } from 'tsyringe';

// STUB: routes taps on interactive messages to their plugin; being implemented.
@injectable()
export class PostbackRouter {}
