#include "store/raw_database.h"

#include "store/rocksdb_status.h"

namespace archive::store {

absl::StatusOr<std::unique_ptr<RawDatabase>> RawDatabase::Open(const std::string& path,
                                                              bool read_only) {
  std::unique_ptr<RawDatabase> raw(new RawDatabase());
  rocksdb::Status status =
      rocksdb::DB::ListColumnFamilies(rocksdb::DBOptions(), path, &raw->names_);
  if (!status.ok()) return FromRocksDbStatus(status, "listing the families");
  std::vector<rocksdb::ColumnFamilyDescriptor> descriptors;
  for (const std::string& name : raw->names_) {
    descriptors.emplace_back(name, rocksdb::ColumnFamilyOptions());
  }
  status = read_only ? rocksdb::DB::OpenForReadOnly(rocksdb::DBOptions(), path, descriptors,
                                                    &raw->families_, &raw->db_)
                     : rocksdb::DB::Open(rocksdb::DBOptions(), path, descriptors,
                                         &raw->families_, &raw->db_);
  if (!status.ok()) return FromRocksDbStatus(status, "opening " + path);
  return raw;
}

RawDatabase::~RawDatabase() {
  if (db_ == nullptr) return;
  for (rocksdb::ColumnFamilyHandle* family : families_) db_->DestroyColumnFamilyHandle(family);
  delete db_;
}

rocksdb::ColumnFamilyHandle* RawDatabase::family(std::string_view name) const {
  for (size_t i = 0; i < names_.size(); ++i) {
    if (names_[i] == name) return families_[i];
  }
  return nullptr;
}

absl::StatusOr<rocksdb::ColumnFamilyHandle*> RawDatabase::CreateFamily(const std::string& name) {
  rocksdb::ColumnFamilyHandle* family = nullptr;
  rocksdb::Status status = db_->CreateColumnFamily(rocksdb::ColumnFamilyOptions(), name, &family);
  if (!status.ok()) return FromRocksDbStatus(status, "creating family " + name);
  names_.push_back(name);
  families_.push_back(family);
  return family;
}

}  // namespace archive::store
