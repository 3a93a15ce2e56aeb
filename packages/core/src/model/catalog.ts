import type { Resources } from './resources.js';

/** A catalog entry: a named machine size. */
export interface Size {
  /** The provider's size name (`t3.micro`, `Standard_D2s_v5`). */
  name: string;
  /** What the size gives. */
  resources: Resources;
  /** Price per hour in the price table's currency, where a price is known. */
  pricePerHour?: number;
  /** Zones or regions where the size can be had; absent = everywhere the driver serves. */
  locations?: string[];
}

/** A bootable image. */
export interface Image {
  /** The provider's id. */
  id: string;
  /** A human name. */
  name: string;
  /** Operating system family where known (`linux`, `windows`). */
  os?: string;
  /** The provider's own record. */
  raw?: unknown;
}

/** A region or zone. */
export interface Location {
  /** The provider's id (`eu-west-1`, `eu-west-1a`). */
  id: string;
  /** `region` or `zone`. */
  kind: 'region' | 'zone';
  /** The region a zone belongs to. */
  region?: string;
}
