// Every migration, in order. Listed explicitly so the same list works from ts and compiled js.
import { Migration20261123000000_initial } from './Migration20261123000000_initial';

export const MIGRATIONS = [{ name: 'Migration20261123000000_initial', class: Migration20261123000000_initial }];
