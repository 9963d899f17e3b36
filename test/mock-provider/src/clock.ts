/** The mock has no clock: every `created` / `created_at` timestamp it sends is this one. */
export const CREATED_AT = 1700000000;
