import { Injectable } from '@nestjs/common';

/** Time behind a class so tests can control it instead of sleeping. */
@Injectable()
export class Clock {
  now(): number {
    return Date.now();
  }

  iso(): string {
    return new Date(this.now()).toISOString();
  }
}
