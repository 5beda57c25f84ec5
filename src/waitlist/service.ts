// The public face of this feature for the others (see .dependency-cruiser.cjs): what they may use, and no more.
export { endWait, joinWaitlist, leaveWaitlist, offerFreedTime, waitingEntriesFor } from './repository.ts';
