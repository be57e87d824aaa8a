// The built-in schema files (api/schemas/*.kschema), embedded into the binary by a source
// file that api/CMakeLists.txt generates in the build directory. Immutable data; safe to read
// from any thread.
#pragma once

#include <string>
#include <vector>

namespace kite::api {

struct EmbeddedSchemaFile {
  const char* name;  // "core.kschema"
  std::string text;  // the file's contents
};

const std::vector<EmbeddedSchemaFile>& embedded_schema_files();

}  // namespace kite::api
