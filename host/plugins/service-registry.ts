import { injectable } from 'tsyringe';

// STUB: calls between plugins; being implemented.
@injectable()
export class ServiceRegistry {}
