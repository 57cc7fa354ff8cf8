declare module '../../platform/bus/events.ts' {
  interface EventMap {
    /**
     * A reminder of one occurrence of a calendar event is due. `recipients`
     * are the partners who may see the event, each with the start written in
     * their own time zone and language; notifications turns it into one
     * notification each.
     */
    'calendar.reminder-due': {
      coupleId: string;
      eventId: string;
      title: string;
      occurrenceStart: string;
      minutesBefore: number;
      recipients: Array<{ userId: string; timeZone: string; localStart: string }>;
    };
  }
}

/** What the calendar publishes, in the transaction of the change. */
export const CALENDAR_EVENTS = ['calendar.reminder-due'] as const;
