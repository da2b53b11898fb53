"""Events: meetings a campaign holds or visitors host, RSVPs with a waiting list, reminders, calendar files."""
