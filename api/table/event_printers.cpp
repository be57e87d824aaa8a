// Events: core v1 events and events.k8s.io/v1 events share one printer upstream (both are
// stored as the same internal type); events.k8s.io field names are mapped onto core ones.
#include "api/table/format.h"
#include "api/table/printer.h"

namespace kite::api::table {

namespace {

// The fields the printer reads, under either API's names.
struct EventView {
  const json* first = nullptr;       // firstTimestamp | deprecatedFirstTimestamp
  const json* last = nullptr;        // lastTimestamp | deprecatedLastTimestamp
  const json* event_time = nullptr;  // eventTime (micro time)
  const json* series = nullptr;
  int64_t count = 0;
  const json* regarding = nullptr;   // involvedObject | regarding
  const json* source = nullptr;      // source | deprecatedSource
  std::string message;               // message | note
};

EventView view(const json& ev, bool events_api) {
  EventView v;
  v.first = field(ev, {events_api ? "deprecatedFirstTimestamp" : "firstTimestamp"});
  v.last = field(ev, {events_api ? "deprecatedLastTimestamp" : "lastTimestamp"});
  v.event_time = field(ev, {"eventTime"});
  v.series = field(ev, {"series"});
  v.count = num(ev, {events_api ? "deprecatedCount" : "count"});
  v.regarding = field(ev, {events_api ? "regarding" : "involvedObject"});
  v.source = field(ev, {events_api ? "deprecatedSource" : "source"});
  v.message = str(ev, {events_api ? "note" : "message"});
  return v;
}

bool set_time(const json* t) {
  return t && t->is_string() && parse_time(t->get<std::string>()).has_value();
}

std::string since_value(const json* t, TimePoint now) {
  if (!set_time(t)) return "<unknown>";
  return human_duration(now - *parse_time(t->get<std::string>()));
}

std::string first_non_empty(const std::string& a, const std::string& b) {
  return a.empty() ? b : a;
}

json event_cells(const json& ev, TimePoint now, bool events_api) {
  EventView v = view(ev, events_api);
  std::string first = set_time(v.first) ? since_value(v.first, now) : since_value(v.event_time, now);
  std::string last = set_time(v.last) ? since_value(v.last, now) : first;
  int64_t count = v.count;
  if (v.series && v.series->is_object()) {
    last = since_value(field(*v.series, {"lastObservedTime"}), now);
    count = num(*v.series, {"count"});
  } else if (count == 0) {
    count = 1;  // singleton events from the events API carry no count
  }

  static const json kEmpty = json::object();
  const json& reg = v.regarding && v.regarding->is_object() ? *v.regarding : kEmpty;
  std::string kind = to_lower(str(reg, {"kind"}));
  std::string rname = str(reg, {"name"});
  std::string target = rname.empty() ? kind : kind + "/" + rname;

  const json& src = v.source && v.source->is_object() ? *v.source : kEmpty;
  std::string component = first_non_empty(str(src, {"component"}), str(ev, {"reportingController"}));
  std::string instance = first_non_empty(str(src, {"host"}), str(ev, {"reportingInstance"}));
  std::string source = instance.empty() ? component : component + ", " + instance;

  return json::array({last, str(ev, {"type"}), str(ev, {"reason"}), target,
                      str(reg, {"fieldPath"}), source, trim_space(v.message), first, count,
                      str(ev, {"metadata", "name"})});
}

std::vector<TableColumn> event_columns() {
  TableColumn name = name_column();
  name.priority = 1;
  return {column("Last Seen", "string", "Time since the event was last seen."),
          column("Type", "string", "Normal or Warning."),
          column("Reason", "string", "Short machine-readable reason for the event."),
          column("Object", "string", "The object the event is about (kind/name)."),
          wide("Subobject", "string", "The part of the object the event is about."),
          wide("Source", "string", "The component (and host) that reported the event."),
          column("Message", "string", "Human-readable description of the event."),
          wide("First Seen", "string", "Time since the event was first seen."),
          wide("Count", "string", "How many times the event occurred."),
          name};
}

}  // namespace

void add_event_printers(PrinterMap& m) {
  m["/events"] = Printer{event_columns(),
                         [](const json& ev, TimePoint now) { return event_cells(ev, now, false); },
                         nullptr};
  m["events.k8s.io/events"] =
      Printer{event_columns(),
              [](const json& ev, TimePoint now) { return event_cells(ev, now, true); }, nullptr};
}

}  // namespace kite::api::table
