/**
 * Staff place visits at any start in steps of this many minutes (the online grid is the type's own step). The
 * calendar's forms and the waitlist's offers both use it: an offer may be of a time staff booked off the online grid.
 */
export const STAFF_TIME_STEP_MIN = 5;
