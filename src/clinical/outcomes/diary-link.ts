/**
 * How long a pain-diary link works: 90 days from the email that carried it. A fresh one goes with every
 * questionnaire email, and the longest gap of the default schedule (week 4 to week 12) is 56 days, so a patient who
 * keeps a diary never finds it closed between two emails. It also stops working once no plan of theirs is followed.
 */
export const DIARY_LINK_DAYS = 90;
