// The records of what xcert last applied on each server (engine/plan/applied.h),
// one file per server: <state_dir>/.applied/<server>.json, written atomically
// by apply when a run made a server's certificates what the manifest asks,
// read by drift to tell a change outside xcert from a manifest change.
#pragma once

#include <map>
#include <set>
#include <string>
#include <vector>

#include "engine/apply/executor.h"
#include "engine/plan/applied.h"
#include "engine/plan/plan.h"
#include "engine/util/file_util.h"

namespace xcert::cli {

struct AppliedRecords {
  std::map<std::string, AppliedRecord> records;  // by server; absent: none yet
  std::vector<std::string> warnings;             // records that could not be read
};

// The records of `servers` under `state_dir` ("" or missing: none).
AppliedRecords ReadAppliedRecords(const std::string& state_dir,
                                  const std::vector<std::string>& servers);

// (server, artifact) of every certificate of `servers` that the manifest asks
// for and that a run of `plan` left as asked: no failed or skipped step about
// it, no change the plan could not make (pending at a CA, blocked server,
// differences no step makes), and its server not rolled back.
std::set<ServerArtifact> AppliedByRun(const Desired& desired, const Plan& plan,
                                      const ApplyReport& report,
                                      const std::set<std::string>& rolled_back,
                                      const std::vector<std::string>& servers);

// Updates the records of the servers in `applied`: the spec digest of each of
// their certificates in `applied` (other entries of those servers' records
// stay as they were, unless the manifest no longer asks for them there).
Status WriteAppliedRecords(const std::string& state_dir, const Desired& desired,
                           const std::set<ServerArtifact>& applied, const std::string& run,
                           TimePoint now);

// Deletes the records of `servers` (restore put them back as they were before
// a run: what xcert last applied there is no longer known).
Status ForgetAppliedRecords(const std::string& state_dir, const std::set<std::string>& servers);

}  // namespace xcert::cli
