// Reads an iCalendar file on stdin with Mozilla's ical.js, as a calendar
// program built on it would, and prints each event's instants in UTC as JSON:
// [{"uid": ..., "start": "2025-04-05T14:00:00Z", "end": ...}, ...]
import ICAL from "ical.js";

let text = "";
for await (const chunk of process.stdin) text += chunk;

const calendar = new ICAL.Component(ICAL.parse(text));
const utc = (time) => new Date(time.toUnixTime() * 1000).toISOString().replace(".000Z", "Z");
const events = calendar.getAllSubcomponents("vevent").map((component) => {
  const event = new ICAL.Event(component);
  return { uid: event.uid, start: utc(event.startDate), end: utc(event.endDate) };
});
process.stdout.write(JSON.stringify(events));
